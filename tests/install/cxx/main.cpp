// main.cpp -- a C++ program built against an installed ormc with CMake's
// find_package(ormc) (tests/install_test.sh): average and highest book price
// on the bookstore example, through the public C API.
//
//   cxx_client MODELS.py DB-URL
//
// Prints "ormc VERSION", then "column=value" for each column of the one row.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <ormc/ormc.h>
#include <ormc/version.h>

static_assert(ORMC_VERSION_NUMBER == ORMC_VERSION_MAJOR * 10000 +
                  ORMC_VERSION_MINOR * 100 + ORMC_VERSION_PATCH,
              "ORMC_VERSION_NUMBER");

namespace {

struct SchemaFree { void operator()(ormc_schema *s) const { ormc_schema_free(s); } };
struct QueryFree { void operator()(ormc_query *q) const { ormc_query_free(q); } };
struct DbFree { void operator()(ormc_db *d) const { ormc_disconnect(d); } };
struct ResultFree { void operator()(ormc_result *r) const { ormc_result_free(r); } };

int fail(const ormc_error &err)
{
	char msg[2048];
	ormc_error_format(&err, msg, sizeof msg);
	std::cerr << "cxx_client: " << msg << '\n';
	return 1;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::cerr << "usage: " << argv[0] << " MODELS.py DB-URL\n";
		return 2;
	}
	std::cout << "ormc " << ORMC_VERSION << '\n';

	ormc_error err;
	ormc_error_clear(&err);
	ormc_schema *s = nullptr;
	if (ormc_schema_load(&s, argv[1], nullptr, &err) < 0)
		return fail(err);
	std::unique_ptr<ormc_schema, SchemaFree> schema(s);

	const std::string text = "Book.objects.aggregate(Avg('price'), Max('price'))";
	ormc_query *q = nullptr;
	if (ormc_query_parse(&q, schema.get(), text.data(), text.size(), &err) < 0)
		return fail(err);
	std::unique_ptr<ormc_query, QueryFree> query(q);

	ormc_db *d = nullptr;
	if (ormc_connect(&d, argv[2], &err) < 0)
		return fail(err);
	std::unique_ptr<ormc_db, DbFree> db(d);

	ormc_result *r = nullptr;
	if (ormc_query_run(&r, db.get(), query.get(), &err) < 0)
		return fail(err);
	std::unique_ptr<ormc_result, ResultFree> result(r);

	const ormc_value *row = nullptr;
	int rc, rows = 0;
	while ((rc = ormc_result_next(result.get(), &row, &err)) > 0) {
		rows++;
		for (int i = 0; i < ormc_result_ncolumns(result.get()); i++) {
			const ormc_value &v = row[i];
			if (v.type != ORMC_TYPE_DECIMAL) {
				std::cerr << "cxx_client: column " << i << " has type " << v.type << '\n';
				return 1;
			}
			std::cout << ormc_result_column(result.get(), i) << '='
			          << std::string(v.s, v.len) << '\n';
		}
	}
	if (rc < 0)
		return fail(err);
	if (rows != 1 || ormc_result_shape(result.get()) != ORMC_SHAPE_AGGREGATE) {
		std::cerr << "cxx_client: expected one aggregate row, got " << rows << '\n';
		return 1;
	}
	return 0;
}
