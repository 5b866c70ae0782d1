package sniff

import "errors"

// ErrUnsupported marks a report that is the detected format but in a
// version or variant that cannot be read.
var ErrUnsupported = errors.New("unsupported")

// ErrFailedScan marks a report that records a failed scan (npm audit's
// error document, for one): there are no results to trust.
var ErrFailedScan = errors.New("the report records a failed scan")
