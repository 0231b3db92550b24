"""`secbot serve web`: supplier checkups by invitation, a chat page and an admin dashboard (issue 15)."""
