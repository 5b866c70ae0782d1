package other

warn_nothing contains "other package" if false

exception contains rules if {
	rules := ["secrets"]
}
