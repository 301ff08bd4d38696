"""What the inputs show: derived facts, red flags, foot findings and chain reasoning."""
