package app

import "mime"

type mimeDecoder = mime.WordDecoder
