#!/bin/sh
# output.sh: hostile report text must inject nothing into what secgate prints
# or writes.
#
# Usage: testdata/hostile/output.sh PATH/TO/secgate
#
# Runs the built binary on testdata/hostile/output/ (a Trivy report and a
# SARIF file whose ids, versions, rule ids, URIs, file names and messages
# carry "\n::add-mask::x", "\n::error::…", ESC [2J, an OSC 8 link, BEL,
# "\r✓ PASS", bidi overrides, C1 CSI, "[click](https://evil…)", an image,
# "@octocat", "<img …>", an HTML comment and "# heading") in every output
# format (-o table, json, sarif, junit, codequality, github with its job summary,
# markdown, comment), in secgate list, and with --tickets, then counts in each output:
#   - workflow commands secgate did not write: lines that start (after
#     blanks) with "::", other than its own "::error …::" and
#     "::warning …::" annotations in -o github;
#   - ESC, BEL and CR bytes, other C0 controls but tab and newline, C1
#     controls (U+0080-U+009F) and bidi controls (U+202A-U+202E,
#     U+2066-U+2069) in the bytes written;
#   - in Markdown (-o markdown, the job summary, tickets' .md files), the
#     report's link, image, HTML, mention or heading rendered as such:
#     outside code spans and backslash escapes, "[click](", "![img](",
#     "<img", "<!-- " other than secgate's fingerprint marker, "@octocat"
#     (secgate writes "@&#8203;octocat"), or a line "# heading".
# It prints one line per output with its counts and exits 1 if any count is
# not zero, 2 on a usage error or when secgate errs (exit code 2).
set -u

bin=${1:-}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "usage: $0 PATH/TO/secgate" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
reports="$here/output/trivy.json $here/output/hostile.sarif"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# count FILE FORMAT: prints "FORMAT: N injected" and returns N > 0.
count() {
	LC_ALL=C perl -e '
		my ($file, $format) = @ARGV;
		open(my $fh, "<:raw", $file) or die "$file: $!\n";
		my ($cmd, $ctl, $md, $scripts) = (0, 0, 0, 0);
		while (my $line = <$fh>) {
			chomp $line;
			my $t = $line; $t =~ s/^\s+//;
			if ($t =~ /^::/ && !($format eq "github" && $line =~ /^::(error|warning) [^:]*::/)) { $cmd++ }
			$ctl++ while $line =~ /[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]/g;
			if ($format eq "html") {
				# secgate writes one script and no image, link or frame.
				$md++ while $line =~ /<img|<a[\s>]|<iframe|<object|<embed/gi;
				$scripts++ while $line =~ /<script/gi;
				next;
			}
			next unless $format =~ /markdown|comment|summary|ticket [0-9]/;
			# Left to right, as CommonMark reads it: a backslash escape
			# is no delimiter (an escaped ` opens no code span), and a
			# code span is taken whole.
			my ($p, $i, $n) = ("", 0, length $line);
			while ($i < $n) {
				my $c = substr($line, $i, 1);
				if ($c eq "\\" && $i + 1 < $n) { $p .= "  "; $i += 2; next }
				if ($c eq "`") {
					my ($run) = substr($line, $i) =~ /^(`+)/;
					my $rest = substr($line, $i + length $run);
					if ($rest =~ /(?<!`)\Q$run\E(?!`)/) {
						$i += length($run) + $+[0];
						$p .= " ";
						next;
					}
					$p .= $run;
					$i += length $run;
					next;
				}
				$p .= $c;
				$i++;
			}
			$p =~ s/<!-- secgate:fingerprint=[0-9a-f]+ -->//g;
			$p =~ s/^<!-- secgate:pr-comment -->$//;   # the comment marker, a line of its own
			$md++ while $p =~ /\[click\]\(|!\[img\]\(|<img|<!-- |\@octocat/g;
			$md++ if $line =~ /^#+ heading/;
		}
		$md += $scripts - 1 if $scripts > 1;
		my $n = $cmd + $ctl + $md;
		printf "%-22s %d injected (workflow commands %d, control characters %d, Markdown %d)\n", "$format:", $n, $cmd, $ctl, $md;
		exit($n > 0 ? 1 : 0);
	' "$1" "$2"
}

# run FORMAT: secgate check with -o FORMAT to a file; exit 0 or 1 is fine.
run() {
	# shellcheck disable=SC2086 # $reports is a list of paths without blanks
	GITHUB_STEP_SUMMARY="$work/summary.md" "$bin" check -o "$1" $reports >"$work/$1.out" 2>"$work/$1.err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "secgate check -o $1 exited $rc:" >&2
		cat "$work/$1.err" >&2
		exit 2
	fi
}

bad=0
for f in table json sarif junit codequality github markdown comment html badge shields; do
	run "$f"
	count "$work/$f.out" "$f" || bad=1
	count "$work/$f.err" "$f (stderr)" || bad=1
done
count "$work/summary.md" "job summary" || bad=1

# secgate list: the reports' findings, one a row.
# shellcheck disable=SC2086
if ! "$bin" list $reports >"$work/list.out" 2>"$work/list.err"; then
	echo "secgate list failed:" >&2
	cat "$work/list.err" >&2
	exit 2
fi
count "$work/list.out" "list" || bad=1
count "$work/list.err" "list (stderr)" || bad=1

# shellcheck disable=SC2086
"$bin" check --tickets "$work/tickets" $reports >"$work/tickets.out" 2>"$work/tickets.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
	echo "secgate check --tickets exited $rc:" >&2
	cat "$work/tickets.err" >&2
	exit 2
fi
n=0
for t in "$work"/tickets/*.md; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	count "$t" "ticket $n" || bad=1
done
if [ "$n" -eq 0 ]; then
	echo "no ticket written: nothing was checked" >&2
	bad=1
fi
count "$work/tickets/tickets.json" "tickets.json" || bad=1
exit "$bad"
