-- Records and the change sequence. Every live record and every tombstone carries the seq of its
-- last mutation; the unique index on seq is the change feed.
CREATE TABLE records (
  collection TEXT NOT NULL,
  key        BLOB NOT NULL,
  seq        INTEGER NOT NULL,
  value      BLOB,            -- NULL marks a tombstone (deleted record)
  PRIMARY KEY (collection, key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX records_by_seq ON records (seq);

CREATE TABLE store_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
