-- A checkpoint's position is the highest position applied and every event below it is applied
-- (0006, 0007): max_position only repeated it. Readers use position.
ALTER TABLE projection_checkpoints DROP COLUMN max_position;
