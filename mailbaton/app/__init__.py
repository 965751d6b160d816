"""The program around the pipeline: intake, the daemon's wake loop, the CLI, the demo."""
