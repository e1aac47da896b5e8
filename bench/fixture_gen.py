#!/usr/bin/env python3
"""bench/fixture_gen.py ORDERS [STORES PRODUCTS] > fixture.json

A fixture of the shop example (examples/shop/models.py) as Django's
``dumpdata --indent 2`` writes it: STORES stores (default 10), PRODUCTS
products (default 1000) and ORDERS orders, keys from 1. The values are a
function of the key, so a test can check any row exactly:

    store k     name "Store k", city "City k % 7"
    product k   name "Product k", store 1 + k % STORES,
                price "(k % 500).(k % 100)" with two places, in_stock k % 3 != 0
    order k     product 1 + k % PRODUCTS, quantity 1 + k % 5,
                total "(k % 1000).(k % 100)" two places,
                status pending / paid / refunded by k % 3,
                created_at 2026-01-01T00:00:00 plus k minutes

ORDERS orders of about 210 bytes each: 200,000 make 42 MB.
"""
import datetime
import sys


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    orders = int(sys.argv[1])
    stores = int(sys.argv[2]) if len(sys.argv) == 4 else 10
    products = int(sys.argv[3]) if len(sys.argv) == 4 else 1000
    out = sys.stdout
    start = datetime.datetime(2026, 1, 1)
    statuses = ("pending", "paid", "refunded")
    sep = "[\n"

    def record(model, pk, fields):
        nonlocal sep
        body = ",\n".join('      "%s": %s' % kv for kv in fields)
        out.write('%s  {\n    "model": "shop.%s",\n    "pk": %d,\n'
                  '    "fields": {\n%s\n    }\n  }' % (sep, model, pk, body))
        sep = ",\n"

    for k in range(1, stores + 1):
        record("store", k, [("name", '"Store %d"' % k),
                            ("city", '"City %d"' % (k % 7))])
    for k in range(1, products + 1):
        record("product", k, [("name", '"Product %d"' % k),
                              ("store", 1 + k % stores),
                              ("price", '"%d.%02d"' % (k % 500, k % 100)),
                              ("in_stock", "true" if k % 3 else "false")])
    for k in range(1, orders + 1):
        at = start + datetime.timedelta(minutes=k)
        record("order", k, [("product", 1 + k % products),
                            ("quantity", 1 + k % 5),
                            ("total", '"%d.%02d"' % (k % 1000, k % 100)),
                            ("status", '"%s"' % statuses[k % 3]),
                            ("created_at", '"%s"' % at.isoformat())])
    out.write("\n]\n" if sep != "[\n" else "[]\n")


if __name__ == "__main__":
    main()
