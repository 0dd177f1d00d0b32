"""`python -m pagoconf.platform.client [--defect NAME]… [--state FILE] [--front-end URL]`: one adapter request
on stdin, its answer on stdout."""

from __future__ import annotations

import sys

from pagoconf.platform.client.command import main

sys.exit(main(sys.argv[1:]))
