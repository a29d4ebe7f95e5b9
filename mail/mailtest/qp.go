package mailtest

import (
	"bytes"
	"io"
	"mime/quotedprintable"
)

func decodeQP(b []byte) string {
	out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	if err != nil {
		return string(b)
	}
	return string(out)
}
