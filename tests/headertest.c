/* headertest.c -- the public headers, each usable alone, in strict C11. */
#include "ormc/version.h"
#include "ormc/error.h"
#include "ormc/value.h"
#include "ormc/schema.h"
#include "ormc/ormc.h"
#include "ormc/query.h"
#include "ormc/stmt.h"
#include "ormc/ddl.h"
#include "ormc/inspect.h"
#include "ormc/copy.h"
#include "ormc/sys/driver.h"

int ormc_headertest(void);

int
ormc_headertest(void)
{
	return ORMC_OK;
}
