"""The /incident triage: the model built from knowledge YAML, the rules, and the flow."""
