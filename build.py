"""Build the project in this folder: the same as `takehome build`."""

import sys

from takehome.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
