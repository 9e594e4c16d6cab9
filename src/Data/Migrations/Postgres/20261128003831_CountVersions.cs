using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CountVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Version",
                table: "RowCounts",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // The row-count triggers raise the table's version with its count, and an UPDATE of any row raises it too: one
            // counter update per statement, in the statement's transaction, so a count read together with the version
            // it was taken at stays true for exactly as long as the version does (VersionedCounts). The UPDATE trigger has
            // no transition table: a bulk update of millions of rows keeps no copy of them just to learn that it ran.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM new_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" + n, "Version" = "Version" + 1 WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM old_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" - n, "Version" = "Version" + 1 WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION row_version_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "RowCounts" SET "Version" = "Version" + 1 WHERE "Name" = TG_ARGV[0];
                    RETURN NULL;
                END $$;
                """);
            foreach (var table in new[] { "Customers", "Orders", "Addresses" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_version_update\" AFTER UPDATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION row_version_updated('{table}');");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "Customers", "Orders", "Addresses" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_version_update\" ON \"{table}\";");
            }
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS row_version_updated();");
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM new_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" + n WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM old_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" - n WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.DropColumn(
                name: "Version",
                table: "RowCounts");
        }
    }
}
