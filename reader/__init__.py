"""factread's terminal UI and command line."""
