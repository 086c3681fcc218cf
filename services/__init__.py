"""Use cases that join the pure domain to storage: the register's workflow and the live data source."""
