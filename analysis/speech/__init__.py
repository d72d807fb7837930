"""Speech: recognition (Whisper), voice activity, and the customer's synthesised voice."""
