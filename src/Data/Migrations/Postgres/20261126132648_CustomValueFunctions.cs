using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CustomValueFunctions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A custom field's value as text (byte order, like SQLite), number or boolean: immutable, so per-field indexes
            // can be built on them (see PostgresDialect.EnsureCustomValueIndexAsync).
            migrationBuilder.Sql("""
                CREATE FUNCTION cm_text(doc jsonb, key text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (doc ->> key) COLLATE "C" $$;
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION cm_number(doc jsonb, key text) RETURNS double precision
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN jsonb_typeof(doc -> key) = 'number' THEN (doc ->> key)::double precision END $$;
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION cm_flag(doc jsonb, key text) RETURNS boolean
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN jsonb_typeof(doc -> key) = 'boolean' THEN (doc ->> key)::boolean END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS cm_text(jsonb, text);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS cm_number(jsonb, text);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS cm_flag(jsonb, text);");
        }
    }
}
