package main

// The binary carries the IANA time zone database, so practice and personal
// time zones resolve on minimal images without /usr/share/zoneinfo.
import _ "time/tzdata"
