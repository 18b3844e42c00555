import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rill Flow's descriptor management beyond registration: the business and feature listings
 * (`get_business.json`, `get_feature.json`), aliases that point nowhere yet (`modify_alias.json` registers a
 * name before any DAG is registered under it), and gray rules (`modify_gray.json`: per alias, the rule that
 * picks it for a submit that names none). The listings are filled from the descriptors already registered.
 */
export class RillRegistryAndGray1765500000000 implements MigrationInterface {
  name = 'RillRegistryAndGray1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rill_business (
        business_id varchar(255) PRIMARY KEY,
        create_time timestamptz  NOT NULL
      )`);
    // No foreign key to rill_business: as in Rill Flow, a business taken out of its listing keeps its features.
    await q.query(`
      CREATE TABLE rill_feature (
        business_id  varchar(255) NOT NULL,
        feature_name varchar(255) NOT NULL,
        create_time  timestamptz  NOT NULL,
        PRIMARY KEY (business_id, feature_name)
      )`);
    await q.query(`ALTER TABLE rill_descriptor_alias ALTER COLUMN version DROP NOT NULL`);
    await q.query(`
      CREATE TABLE rill_gray_rule (
        business_id  varchar(255)  NOT NULL,
        feature_name varchar(255)  NOT NULL,
        alias        varchar(255)  NOT NULL,
        rule         varchar(1024) NOT NULL,
        update_time  timestamptz   NOT NULL,
        PRIMARY KEY (business_id, feature_name, alias),
        FOREIGN KEY (business_id, feature_name, alias) REFERENCES rill_descriptor_alias (business_id, feature_name, alias) ON DELETE CASCADE
      )`);
    await q.query(`INSERT INTO rill_business (business_id, create_time) SELECT business_id, min(create_time) FROM rill_descriptor GROUP BY business_id`);
    await q.query(
      `INSERT INTO rill_feature (business_id, feature_name, create_time) SELECT business_id, feature_name, min(create_time) FROM rill_descriptor GROUP BY business_id, feature_name`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rill_gray_rule`);
    // An alias that points nowhere cannot be kept once the column is required again.
    await q.query(`DELETE FROM rill_descriptor_alias WHERE version IS NULL`);
    await q.query(`ALTER TABLE rill_descriptor_alias ALTER COLUMN version SET NOT NULL`);
    await q.query(`DROP TABLE rill_feature`);
    await q.query(`DROP TABLE rill_business`);
  }
}
