"""The disclosure of an issued rating: JSON, printable HTML, PDF and the VSME-keyed export."""
