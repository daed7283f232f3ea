"""The synthetic demo: a seeded year of Namwon data written as export files, then
imported through the same importer a user uses. Nothing here is real."""
