"""The application form as data: the versioned definition, its rules and the format of each answer."""
