"""`python -m integrasjon.asyncapi > docs/asyncapi.json`."""

import sys

from integrasjon.asyncapi.generator import render

sys.stdout.write(render())
