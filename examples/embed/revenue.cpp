// revenue.cpp -- ormc embedded in a C++ program: the C API behind small
// RAII owners, one compiled statement executed with several values from 8
// std::threads, each on its own connection.
//
//   revenue_cxx MODELS.py DATABASE-URL
//
// Prints the same lines as revenue.c.
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <ormc/ormc.h>
#include <ormc/stmt.h>

namespace {

struct Deleter {
	void operator()(ormc_schema *p) const { ormc_schema_free(p); }
	void operator()(ormc_query *p) const { ormc_query_free(p); }
	void operator()(ormc_db *p) const { ormc_disconnect(p); }
	void operator()(ormc_stmt *p) const { ormc_stmt_free(p); }
	void operator()(ormc_params *p) const { ormc_params_free(p); }
	void operator()(ormc_result *p) const { ormc_result_free(p); }
};
template <class T> using Owned = std::unique_ptr<T, Deleter>;

// Throw the library's message when a call fails.
void check(int rc, const ormc_error &err)
{
	if (rc < 0) {
		char msg[2048];
		ormc_error_format(&err, msg, sizeof msg);
		throw std::runtime_error(msg);
	}
}

Owned<ormc_db> connect(const char *url)
{
	ormc_db *db = nullptr;
	ormc_error err;
	check(ormc_connect(&db, url, &err), err);
	return Owned<ormc_db>(db);
}

const char *const statuses[] = {"paid", "pending", "refunded"};
const char *const sinces[] = {"2026-01-01", "2026-02-01", "2026-03-01", "2027-01-01"};
constexpr int njobs = 3 * 4;
constexpr int nthreads = 8;

const char query[] =
	"Order.objects.filter(status=status, created_at__gte=since)"
	".aggregate(orders=Count(\"id\"), revenue=Sum(\"total\", default=0))";

// Jobs first, first + nthreads, ... of stmt on a connection of its own.
void work(const ormc_stmt *stmt, const char *url, int first, std::vector<std::string> &answers,
          std::string &failure)
{
	try {
		Owned<ormc_db> db = connect(url);
		ormc_params *raw = nullptr;
		if (ormc_params_new(&raw) < 0)
			throw std::bad_alloc();
		Owned<ormc_params> ps(raw);
		for (int job = first; job < njobs; job += nthreads) {
			ormc_error err;
			ormc_result *r = nullptr;
			ormc_params_set_text(ps.get(), "status", statuses[job / 4], (size_t)-1);
			ormc_params_set_text(ps.get(), "since", sinces[job % 4], (size_t)-1);
			check(ormc_stmt_execute(&r, stmt, db.get(), ps.get(), &err), err);
			Owned<ormc_result> result(r);
			const ormc_value *row = nullptr;
			if (ormc_result_next(r, &row, &err) != 1)
				throw std::runtime_error(std::string("no row: ") + err.message);
			int64_t orders = 0;
			const char *revenue = nullptr;
			size_t len = 0;
			int scale = 0;
			if (ormc_value_int64(&row[ormc_result_column_index(r, "orders")], &orders) != ORMC_OK ||
			    ormc_value_decimal(&row[ormc_result_column_index(r, "revenue")], &revenue, &len,
			                       &scale) != ORMC_OK)
				throw std::runtime_error("unexpected column types");
			char line[128];
			std::snprintf(line, sizeof line, "%-8s since %s: %lld orders, revenue %.*s",
			              statuses[job / 4], sinces[job % 4], (long long)orders, (int)len,
			              revenue);
			answers[job] = line;
		}
	} catch (const std::exception &e) {
		failure = e.what();
	}
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s MODELS.py DATABASE-URL\n", argv[0]);
		return 2;
	}
	try {
		ormc_error err;
		ormc_schema *s = nullptr;
		check(ormc_schema_load(&s, argv[1], nullptr, &err), err);
		Owned<ormc_schema> schema(s);
		ormc_query *q = nullptr;
		check(ormc_query_parse(&q, schema.get(), query, (size_t)-1, &err), err);
		Owned<ormc_query> parsed(q);
		Owned<ormc_db> db = connect(argv[2]);
		ormc_stmt *st = nullptr;
		check(ormc_stmt_prepare_for(&st, q, db.get(), &err), err);
		Owned<ormc_stmt> stmt(st);

		std::vector<std::string> answers(njobs), failures(nthreads);
		std::vector<std::thread> threads;
		for (int i = 0; i < nthreads; i++)
			threads.emplace_back(work, st, argv[2], i, std::ref(answers), std::ref(failures[i]));
		for (auto &t : threads)
			t.join();
		int status = 0;
		for (int i = 0; i < nthreads; i++)
			if (!failures[i].empty()) {
				std::fprintf(stderr, "revenue_cxx: thread %d: %s\n", i, failures[i].c_str());
				status = 1;
			}
		if (status == 0)
			for (const auto &a : answers)
				std::printf("%s\n", a.c_str());
		return status;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "revenue_cxx: %s\n", e.what());
		return 1;
	}
}
