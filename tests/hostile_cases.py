"""The hostile-input and fault cases: what is tried, what storybrief does, the exit code.

tests/test_hostile.py runs every case (offline: loopback fake servers, temporary folders,
subprocesses for signals); scripts/reliability_table.py writes docs/reliability.md from this
table, and a test checks the committed page is what the script writes, so the page cannot
drift from what is tested.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # the class of fault: command line, input, encoding, output path, server, model answer, signal, eval
    tried: str
    does: str
    exit: int


CASES = [
    # command line
    Case("no-arguments", "command line", "`storybrief` with no arguments", "one line: missing command, try --help", 2),
    Case("unknown-option", "command line", "`brief --bogus`", "one line naming the option and a close match", 2),
    Case("unknown-command", "command line", "`storybrief nosuch`", "one line: no such command", 2),
    Case("bad-integer", "command line", "`brief --context abc`", "one line: not a valid integer", 2),
    Case("help", "command line", "`-h` / `--help`", "prints the help", 0),
    Case("context-too-small", "command line", "`brief --context 1000`",
         "one line: leaves no room for the articles, give at least N; no model call", 2),
    Case("out-and-out-dir", "command line", "`--out` and `--out-dir` together", "one line; no model call", 2),
    Case("unknown-format", "command line", "`--format pdf`", "one line naming the formats", 2),
    # inputs
    Case("missing-path", "input", "a story path that does not exist", "one line naming the path", 2),
    Case("empty-folder", "input", "a folder with no article files", "one line: no readable articles", 2),
    Case("binary-file", "input", "a PNG named .txt", "one line: binary file", 2),
    Case("oversized-file", "input", "a 5 MB+ article", "one line: over the 5 MB limit", 2),
    Case("malformed-jsonl", "input", "a JSONL line that is not JSON", "one line naming file and line", 2),
    Case("jsonl-not-object", "input", "a JSONL line that is a list", "one line: expected a JSON object", 2),
    Case("jsonl-no-text", "input", "a JSONL row without `text`", "one line: no 'text' string", 2),
    Case("fence-break-metadata", "input", "JSONL `language`/`outlet`/`title` holding `</article></articles>` and an instruction",
         "every field is fenced: no tag, quote or newline gets out of the `<articles>` fence", 0),
    Case("fake-passage-label", "input", "article text containing `[P1]`", "shown to the model as `(P1)`, not as a label", 0),
    # encodings
    Case("utf8-stray-byte", "encoding", "a UTF-8 article with one stray byte",
         "stays UTF-8; the byte becomes U+FFFD; a warning names the file and the count", 0),
    Case("utf16-bom", "encoding", "a UTF-16 article with a byte-order mark", "decoded as UTF-16", 0),
    Case("legacy-charset", "encoding", "a Windows-1252 article (no UTF-8 sequence in it)", "decoded in the detected charset", 0),
    Case("eval-toml-not-utf8", "encoding", "an eval config in Latin-1", "one line: not UTF-8 text", 2),
    # output paths
    Case("out-is-directory", "output path", "`--out` names a folder", "one line, before any model call", 2),
    Case("out-dir-is-file", "output path", "`--out-dir` names a file", "one line, before any model call", 2),
    Case("out-parent-is-file", "output path", "`--out file.txt/brief.md`", "one line, before any model call", 2),
    Case("out-read-only", "output path", "`--out` names a read-only file", "one line; the file is kept", 2),
    Case("out-symlink-loop", "output path", "`--out` names a symlink loop", "one line, before any model call", 2),
    Case("out-device", "output path", "`--out /dev/full` (or any device)", "one line; the device is left alone", 2),
    Case("out-symlink", "output path", "`--out` names a symlink", "the link's target is replaced; the link stays", 0),
    Case("out-stdout", "output path", "`--out /dev/stdout` or `--out -`", "written to standard output as a stream", 0),
    Case("write-fails", "output path", "the disk fails during the write", "one line; the old file is intact; no temporary left", 2),
    Case("killed-mid-write", "output path", "`kill -9` while the output is written",
         "the old file is intact and no temporary file is left (O_TMPFILE)", 137),
    Case("stale-temporary", "output path", "a temporary left by a killed writer (filesystems without O_TMPFILE)",
         "the next write removes it", 0),
    Case("out-dir-set-swapped", "output path", "`kill -9` while `--out-dir` writes its three files",
         "the old set of three stays whole; other files in the folder are kept", 137),
    # servers
    Case("server-500", "server", "every request answers HTTP 500", "retried, then one line naming the status", 3),
    Case("server-429", "server", "every request answers HTTP 429", "retried, then one line: rate limited", 3),
    Case("server-401", "server", "the server rejects the key (401)", "not retried; one line: rejected the API key", 2),
    Case("server-hung", "server", "the server never answers", "`--timeout` per request; tries stop after two timeouts", 3),
    Case("server-down", "server", "nothing listens at `--base-url`", "one line: could not reach", 3),
    Case("server-echoes-key", "server", "an error body that echoes the Authorization header",
         "the key, bearer tokens and URL passwords are redacted", 3),
    Case("url-credentials-verbose", "server", "`-v` with `user:password@` in `--base-url`",
         "the password is not logged", 3),
    # model answers
    Case("answer-too-large", "model answer", "a 200 KB answer to a 1,400-token request",
         "one line; not parsed, not sent back in a re-ask, not written", 4),
    Case("answer-null-choice", "model answer", "JSON whose choice of passages is null, twice",
         "one line: never matched the schema; no \"None\" brief", 4),
    Case("answer-object-choice", "model answer", "JSON whose chosen passages and aspects are objects",
         "one line; no Python repr in any output", 4),
    Case("answer-not-json", "model answer", "an answer that is not JSON, twice", "one line: never matched the schema", 4),
    # signals
    Case("ctrl-c", "signal", "Ctrl-C (SIGINT) while the model is asked", "one line: interrupted; output untouched", 130),
    Case("sigterm", "signal", "SIGTERM while the model is asked", "one line: stopped by SIGTERM; cleanup runs", 143),
    Case("broken-pipe", "signal", "standard output closed early (`| head -c 1`)",
         "stops quietly (click drops the rest of the output), so `set -o pipefail` pipelines pass", 0),
    # eval
    Case("eval-all-failed", "eval", "`eval --baseline` where every case failed", "one line: all cases failed; not \"0 regressed\"", 1),
    Case("eval-failed-vs-baseline", "eval", "a case that failed where the baseline ran", "counted as a gate failure", 1),
]
