"""Reference documents: the active standard, the active model and the emission-factor sets."""
