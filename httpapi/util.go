package httpapi

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }
