"""/checkup: a security self-assessment with scores per area and feedback on every gap."""
