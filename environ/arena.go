package environ

// Arena returns the bytes every []byte field of e and every Var in Headers
// are sub-slices of (when Fill wrote them), so that a consumer such as the
// embedded interpreter can pass one base pointer and offsets instead of a
// pointer per variable. A field that Fill did not write (an Environ built
// by hand) may lie outside it: callers check bounds. The slice is owned by
// e: valid until Reset or Release, not to be modified.
func (e *Environ) Arena() []byte { return e.arena }
