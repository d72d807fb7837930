"""Sound devices: recording the rep from the microphone (and files that stand in for it in tests), and playing the customer's voice."""
