using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OrderShortIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // ShortIdSql.ShortId: the id's last eight hex digits in upper case, immutable so an index can hold it.
            migrationBuilder.Sql("""
                CREATE FUNCTION cm_short_id(id uuid) RETURNS text
                    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    AS $$ SELECT upper(right(id::text, 8)) $$;
                CREATE INDEX "IX_Orders_ShortId" ON "Orders" (cm_short_id("Id"));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS "IX_Orders_ShortId";
                DROP FUNCTION IF EXISTS cm_short_id(uuid);
                """);
        }
    }
}
