# Every dependency comes from a Debian 12 package; scripts/install-deps lists them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
pkg_check_modules(URIPARSER REQUIRED IMPORTED_TARGET liburiparser)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # the PostgreSQL store
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)  # received STIX objects, stored compressed
find_package(OpenSSL 3 REQUIRED)  # SHA-256 (SHA-NI): the audit chain's HMAC
find_package(ICU 72 REQUIRED COMPONENTS uc data)  # messages: NFKC, Thai word segmentation
pkg_check_modules(FASTTEXT REQUIRED IMPORTED_TARGET fasttext)  # the message classifier

# libcsv (RFC 4180 CSV) ships neither pkg-config nor CMake files.
find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
add_library(csv_lib INTERFACE)
target_include_directories(csv_lib SYSTEM INTERFACE ${CSV_INCLUDE_DIR})
target_link_libraries(csv_lib INTERFACE ${CSV_LIBRARY})

# libphonenumber ships neither pkg-config nor CMake files.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(phonenumber_lib INTERFACE)
target_include_directories(phonenumber_lib SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(phonenumber_lib INTERFACE ${PHONENUMBER_LIBRARY})

find_package(absl REQUIRED)  # flat_hash_map for the trail's working sets
find_package(ZLIB REQUIRED)  # the console's files, sent gzip-compressed
find_package(simdjson REQUIRED)  # hot input paths: partners' STIX bundles
find_package(nlohmann_json 3.10 REQUIRED)  # header-only; the parsers (and their fuzzers) use it
# The mule score (src/mule; its model file's fuzzer too). Debian's xgboost CMake package also
# names the xgboost program (a separate package), so the library is found directly.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(XGBOOST_LIBRARY xgboost REQUIRED)
add_library(xgboost_lib INTERFACE)
target_include_directories(xgboost_lib SYSTEM INTERFACE ${XGBOOST_INCLUDE_DIR})
target_link_libraries(xgboost_lib INTERFACE ${XGBOOST_LIBRARY})
if(NOT CFR_FUZZ)
  find_package(Boost 1.74 REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(spdlog REQUIRED)
  find_package(tomlplusplus REQUIRED)
endif()

if(CFR_BUILD_TESTS AND NOT CFR_FUZZ)
  find_package(GTest REQUIRED)
endif()
if(CFR_BUILD_BENCHMARKS AND NOT CFR_FUZZ)
  find_package(benchmark REQUIRED)
endif()

# Evidence files (src/evidence): libvips decodes PNG, JPEG, WebP and PDF; zxing-cpp reads QR codes;
# libqrencode draws them for the tests, the demo and the benchmarks.
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips)
pkg_check_modules(ZXING REQUIRED IMPORTED_TARGET zxing)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
