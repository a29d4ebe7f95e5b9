package practice

// IsLive reports whether a session in state s is live: open, in progress or
// stopped. A client has at most one live session at a time.
func (s State) IsLive() bool {
	return s == Open || s == InProgress || s == Stopped
}

// IsRunning reports whether a session in state s is under way and not
// stopped: open or in progress.
func (s State) IsRunning() bool {
	return s == Open || s == InProgress
}
