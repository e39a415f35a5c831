"""Import helpdesk and call-center exports: read, map, type, validate, load."""
