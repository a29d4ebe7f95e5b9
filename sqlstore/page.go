package sqlstore

import (
	"strconv"
	"strings"

	"holdspace"
	"holdspace/store"
)

// addArgs appends cond, in which each "?" stands for the next of args.
func (w *where) addArgs(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// keyset adds the condition "(timeCol, idCol) > after" of a keyset page,
// written so that both engines can walk an index on (timeCol, idCol):
// a row value comparison.
func (w *where) keyset(timeCol, idCol string, after store.Key) {
	if after.IsZero() {
		return
	}
	w.addArgs("("+timeCol+", "+idCol+") > (?, ?)", after.At.UnixMicro(), after.ID)
}

// limitClause returns " LIMIT $n" with limit appended to w's arguments, ""
// for no limit, and EINVALID for a negative limit.
func (w *where) limitClause(limit int) (string, error) {
	switch {
	case limit < 0:
		return "", holdspace.Invalid("bad_limit", "limit", "A page holds a positive number of rows.")
	case limit == 0:
		return "", nil
	}
	w.args = append(w.args, limit)
	return " LIMIT $" + strconv.Itoa(len(w.args)), nil
}
