"""The AI CV builder (/api/ai-resume/*): better wording, never new facts."""
