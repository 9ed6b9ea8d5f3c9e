"""Gradle and Maven dependencies are read (QA58 F1): fineract's Renovate bump of Spring Boot 2.7 -> 3.1 in
buildSrc/.../org.apache.fineract.dependencies.gradle (pr/3224) scored 1.7 with no dependency factor, while a patch
bump of actions/checkout scored 32. Gradle scripts, version catalogues and pom.xml are read from their text (never
run); a pom's document type declaration is refused (no entity expands)."""

from __future__ import annotations

from app.analysis.analyzer import Analyzer
from app.core.dependencies import dependency_bump, dev_names, is_manifest, parse, read_or_why
from tests.conftest import ALICE, BOB

DEPS_GRADLE = """/* licence */
apply plugin: 'io.spring.dependency-management'
dependencyManagement {
    imports {
        mavenBom 'org.springframework.boot:spring-boot-dependencies:2.7.10'
    }
    dependencies {
        dependency 'com.google.guava:guava:32.0.0-jre' // a comment 'x:y:9'
        dependency ('org.apache.httpcomponents:httpclient:4.5.14') {
            exclude 'commons-logging:commons-logging:'
        }
        dependencySet(group: 'org.apache.poi', version: '5.3.0') {
            entry 'poi'
            entry 'poi-ooxml'
        }
    }
}
"""
MODULE_GRADLE = """plugins {
    id 'org.springframework.boot' version '2.7.10'
    kotlin("jvm") version "1.8.20"
}
ext { jacksonVersion = '2.14.2' }
dependencies {
    implementation 'org.springframework.boot:spring-boot-starter-web'
    implementation "com.fasterxml.jackson.core:jackson-databind:${jacksonVersion}"
    implementation(platform("org.junit:junit-bom:5.9.2"))
    implementation group: 'org.liquibase', name: 'liquibase-core', version: '4.20.0'
    testImplementation 'org.mockito:mockito-core:5.2.0'
    integrationTestRuntimeOnly 'org.junit.platform:junit-platform-launcher'
    exclude group: 'org.owasp.antisamy'
}
"""


def test_gradle_scripts_say_their_coordinates_plugins_and_test_configurations() -> None:
    assert is_manifest("buildSrc/src/main/groovy/org.apache.fineract.dependencies.gradle")
    assert is_manifest("app/build.gradle.kts") and is_manifest("gradle/libs.versions.toml") and is_manifest("pom.xml")
    assert parse("x.dependencies.gradle", DEPS_GRADLE.encode()) == {
        "org.springframework.boot:spring-boot-dependencies": "2.7.10", "com.google.guava:guava": "32.0.0-jre",
        "org.apache.httpcomponents:httpclient": "4.5.14", "org.apache.poi:poi": "5.3.0",
        "org.apache.poi:poi-ooxml": "5.3.0"}  # an exclude is none, nor a comment
    assert parse("build.gradle", MODULE_GRADLE.encode()) == {
        "org.springframework.boot:spring-boot-starter-web": "", "com.fasterxml.jackson.core:jackson-databind": "2.14.2",
        "org.junit:junit-bom": "5.9.2", "org.liquibase:liquibase-core": "4.20.0",
        "org.mockito:mockito-core": "5.2.0", "org.junit.platform:junit-platform-launcher": "",
        "org.springframework.boot": "2.7.10", "org.jetbrains.kotlin.jvm": "1.8.20"}
    assert dev_names("build.gradle", MODULE_GRADLE.encode()) == {"org.mockito:mockito-core",
                                                                   "org.junit.platform:junit-platform-launcher"}


def test_version_catalogues_and_poms_are_read() -> None:
    catalogue = """[versions]
spring = "3.1.0"
kotlin = { strictly = "1.9.0" }
[libraries]
boot = { module = "org.springframework.boot:spring-boot-starter", version.ref = "spring" }
guava = "com.google.guava:guava:32.1.0-jre"
kt = { group = "org.jetbrains.kotlin", name = "kotlin-stdlib", version.ref = "kotlin" }
[plugins]
boot = { id = "org.springframework.boot", version.ref = "spring" }
"""
    assert parse("gradle/libs.versions.toml", catalogue.encode()) == {
        "org.springframework.boot:spring-boot-starter": "3.1.0", "com.google.guava:guava": "32.1.0-jre",
        "org.jetbrains.kotlin:kotlin-stdlib": "1.9.0", "org.springframework.boot": "3.1.0"}
    pom = """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId>
    <version>2.7.10</version></parent>
  <properties><jackson.version>2.14.2</jackson.version><v>${jackson.version}</v></properties>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>
      <version>${v}</version>
      <exclusions><exclusion><groupId>x</groupId><artifactId>y</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13</version>
      <scope>test</scope></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId><version>3.0.0</version></plugin></plugins>
  </build>
</project>
"""
    assert parse("pom.xml", pom.encode()) == {
        "org.springframework.boot:spring-boot-starter-parent": "2.7.10",
        "com.fasterxml.jackson.core:jackson-databind": "2.14.2", "junit:junit": "4.13",
        "org.apache.maven.plugins:maven-surefire-plugin": "3.0.0"}
    assert dev_names("pom.xml", pom.encode()) == {"junit:junit"}
    bomb = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<project><properties><v>&b;</v></properties></project>')
    found, why = read_or_why("pom.xml", bomb.encode())
    assert found is None and "document type declaration" in why, why
    bump = dependency_bump([("pom.xml", pom.encode(), pom.replace("2.7.10", "3.1.0").replace("2.14.2", "2.15.0")
                             .replace("4.13", "4.13.2").encode())])
    assert {(c.name, c.kind, c.dev) for c in bump.direct} == {
        ("org.springframework.boot:spring-boot-starter-parent", "major", False),
        ("com.fasterxml.jackson.core:jackson-databind", "update", False), ("junit:junit", "update", True)}


def test_a_spring_boot_major_in_a_gradle_script_is_a_dependency_factor(make_repo) -> None:
    """fineract pr/3224: a Renovate bump of the Spring Boot BOM in buildSrc scored 1.7, no dependency factor."""
    b = make_repo("bank")
    path = "buildSrc/src/main/groovy/org.apache.fineract.dependencies.gradle"
    b.commit("init", {path: DEPS_GRADLE, "src/main/java/org/x/A.java": "package org.x;\n\nclass A {}\n"}, author=ALICE)
    b.branch("bump")
    b.commit("Update dependency org.springframework.boot:spring-boot-dependencies to v3",
             {path: DEPS_GRADLE.replace("2.7.10", "3.1.0")}, branch="bump", author=BOB)
    b.checkout()
    detail = Analyzer(b.path).detail("bump")
    factor = next(f for f in detail.report.to_json()["factors"] if f["name"] == "dependencies")
    assert factor["effect"] > 0 and "across a major version" in factor["explanation"], factor
    assert "org.springframework.boot:spring-boot-dependencies 2.7.10 -> 3.1.0" in factor["explanation"], factor
    # a Gradle script is Groovy code, as build.gradle.kts is Kotlin: its changed lines are source lines (the bump
    # scored 2.2 with "0 changed lines in source files", its likelihood a fifth of the base rate)
    code_size = next(f for f in detail.report.to_json()["factors"] if f["name"] == "code_size")
    assert code_size["raw"] > 0, code_size
