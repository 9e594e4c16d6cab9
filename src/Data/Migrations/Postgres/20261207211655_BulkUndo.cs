using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BulkUndo : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "BatchId",
                table: "ChangeRecords",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CustomerBulkJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    Subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false, collation: "C"),
                    FieldId = table.Column<Guid>(type: "uuid", nullable: true),
                    Selected = table.Column<int>(type: "integer", nullable: false),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    Skipped = table.Column<int>(type: "integer", nullable: false),
                    SkippedWhy = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C"),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ById = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    UndoUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UndoOf = table.Column<Guid>(type: "uuid", nullable: true),
                    UndoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UndoneBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerBulkJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CustomerBulkJobItems",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Data = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerBulkJobItems", x => new { x.JobId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_CustomerBulkJobItems_CustomerBulkJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "CustomerBulkJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_BatchId_Id",
                table: "ChangeRecords",
                columns: new[] { "BatchId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_Unbatched",
                table: "ChangeRecords",
                column: "Id",
                filter: "\"BatchId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerBulkJobItems_CustomerId",
                table: "CustomerBulkJobItems",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerBulkJobs_UndoUntil",
                table: "CustomerBulkJobs",
                column: "UndoUntil");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CustomerBulkJobItems");

            migrationBuilder.DropTable(
                name: "CustomerBulkJobs");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRecords_BatchId_Id",
                table: "ChangeRecords");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRecords_Unbatched",
                table: "ChangeRecords");

            migrationBuilder.DropColumn(
                name: "BatchId",
                table: "ChangeRecords");
        }
    }
}
