"""mitmproxy addons, one per pipeline stage. Thin: options, hooks, calls into detect/, wire/, store/."""
