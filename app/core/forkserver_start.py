"""Imported first by the worker pool's forkserver, in the forkserver (app/core/workers.py `_PRELOAD`), never
elsewhere: from here on it and every worker forked from it ignore SIGINT (a Ctrl-C to the process group is the
parent's to handle) and write nothing to the terminal (stderr on /dev/null). The parent does the same around the
forkserver's start when it starts it from its main thread; a pool started from another thread (beside a first
`list`'s discovery, the TUI's analysis) could not, and a Ctrl-C printed the forkserver's import traceback, or a
worker's unpickling its first task after the parent had gone, under "interrupted" (QA56 F12)."""

import os
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 2)
os.close(_devnull)
