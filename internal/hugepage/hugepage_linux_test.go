package hugepage

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vmaFlags returns the VmFlags of the mapping holding address p, from
// /proc/self/smaps.
func vmaFlags(t *testing.T, p uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(p) >= a && uint64(p) < b
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return fields[1:]
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return nil
}

func TestAdviseMarksTheMapping(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skip("no transparent huge pages here")
	}
	buf := make([]byte, 0, 16<<20)
	Advise(buf)
	mid := uintptr(unsafe.Pointer(unsafe.SliceData(buf[:cap(buf)]))) + 8<<20
	flags := vmaFlags(t, mid)
	found := false
	for _, f := range flags {
		found = found || f == "hg"
	}
	if !found {
		t.Errorf("the buffer's mapping has flags %v, want hg (MADV_HUGEPAGE)", flags)
	}
	// Small buffers are left alone; nothing breaks on an empty one.
	Advise(make([]byte, 0, 64<<10))
	Advise([]int(nil))
}
