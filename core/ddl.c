/* placeholder: being written */
typedef int ormc_placeholder_ddl;
