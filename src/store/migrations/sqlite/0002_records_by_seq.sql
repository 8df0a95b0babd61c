-- Records move from a WITHOUT ROWID table keyed by (collection, key) to a rowid table keyed by
-- seq, with a unique index on (collection, key). In the old layout every row lived in the key's
-- B-tree, and a row larger than about 1 KB (a report, an entity, an audit entry) spilled to an
-- overflow page: every comparison with such a row while descending the tree read the whole row,
-- overflow included, so a lookup read several pages per level. Now the index holds only the keys
-- (small, dense, no overflow), the rows are appended in seq order (a commit's rows share pages;
-- the change feed is a range of the table), and a rewrite moves its row to the end.
CREATE TABLE records_by_seq_v2 (
  seq        INTEGER PRIMARY KEY,  -- the seq of the record's last mutation
  collection TEXT NOT NULL,
  key        BLOB NOT NULL,
  value      BLOB                  -- NULL marks a tombstone (deleted record)
);
INSERT INTO records_by_seq_v2 (seq, collection, key, value)
  SELECT seq, collection, key, value FROM records ORDER BY seq;
DROP TABLE records;
ALTER TABLE records_by_seq_v2 RENAME TO records;
CREATE UNIQUE INDEX records_by_key ON records (collection, key);
