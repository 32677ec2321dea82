"""What operators see of the running assistant: metrics, health and the log format."""
