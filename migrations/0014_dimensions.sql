-- Tag group dimensions (/v0/tag-groups/{groupId}/dimensions): the columns a
-- tag group has beside a tag's name and code, and each tag's value for them
-- (/v0/tags/{tagId}/dimensions/{dimensionId}).

CREATE TABLE tag_group_dimensions (
    id            TEXT PRIMARY KEY,
    group_id      TEXT NOT NULL REFERENCES tag_groups(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    code          TEXT NOT NULL,
    display_order INTEGER NOT NULL CHECK (display_order >= 1),
    visible       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX tag_group_dimensions_group ON tag_group_dimensions(group_id, display_order, id);

CREATE TABLE tag_dimension_values (
    tag_id       TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    dimension_id TEXT NOT NULL REFERENCES tag_group_dimensions(id) ON DELETE CASCADE,
    value        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tag_id, dimension_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX tag_dimension_values_dimension ON tag_dimension_values(dimension_id);
