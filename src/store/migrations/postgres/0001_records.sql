-- Records and the change sequence. Every live record and every tombstone carries the seq of its
-- last mutation; the unique index on seq is the change feed. Keys and values are bytes (bytea
-- orders bytewise); collection names compare bytewise too (COLLATE "C").
CREATE TABLE records (
  collection TEXT COLLATE "C" NOT NULL,
  key        BYTEA NOT NULL,
  seq        BIGINT NOT NULL,
  value      BYTEA,            -- NULL marks a tombstone (deleted record)
  PRIMARY KEY (collection, key)
);
CREATE UNIQUE INDEX records_by_seq ON records (seq);

-- The newest committed seq. Every commit locks this row first (SELECT ... FOR UPDATE) and holds
-- it to the end of its transaction, so that seqs are given out in commit order by every server
-- writing to the database, and a follower that has read up to N never later meets a commit < N.
CREATE TABLE store_seq (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq BIGINT NOT NULL
);
INSERT INTO store_seq (id, last_seq) VALUES (1, 0);
