package hugepage

import "syscall"

func advise(b []byte) {
	// Best effort: EINVAL where the kernel has no transparent huge pages.
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
