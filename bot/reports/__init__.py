"""The periodic report of a plan: a .docx to sign, an .xlsx appendix, and the evidence pack (.zip)."""
