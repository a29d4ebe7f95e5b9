package app

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
)

type mimeDecoder = mime.WordDecoder

func decodeQPBody(raw string) string {
	_, body, _ := strings.Cut(raw, "\r\n\r\n")
	out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		return body
	}
	return string(out)
}
