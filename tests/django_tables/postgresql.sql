CREATE TABLE "dj_gadget" ("id" serial NOT NULL PRIMARY KEY, "uid" uuid NOT NULL, "slug" varchar(50) NOT NULL, "email" varchar(254) NOT NULL, "url" varchar(200) NOT NULL, "ip" inet NOT NULL, "data" jsonb NULL, "blob" bytea NULL, "big" bigint NOT NULL CHECK ("big" >= 0), "small" smallint NOT NULL CHECK ("small" >= 0), "path" varchar(100) NOT NULL, "upload" varchar(100) NOT NULL, "kind" varchar(1) NOT NULL);
CREATE INDEX "dj_gadget_slug_f7390c25" ON "dj_gadget" ("slug");
CREATE INDEX "dj_gadget_slug_f7390c25_like" ON "dj_gadget" ("slug" varchar_pattern_ops);
