/*
 * inspect.h -- `ormc inspect`: a models.py from a live database.
 */
#ifndef ORMC_CLI_INSPECT_H
#define ORMC_CLI_INSPECT_H

/**
 * If the command of argv is "inspect", run it and return its exit status
 * (0 ok, 1 the database failed, 2 bad input); otherwise return -1 and do
 * nothing.
 */
int cli_inspect_main(int argc, char **argv);

#endif
