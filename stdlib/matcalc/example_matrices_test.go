package matcalc_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// vec stacks the columns, as in the course.
func ExampleVec() {
	a := mat.NewDense(2, 2, []float64{
		1, 2,
		3, 4,
	})
	fmt.Printf("%v\n", mat.Formatted(matcalc.Vec(a).T()))
	// Output:
	// [1  3  2  4]
}

func ExampleUnvec() {
	v := mat.NewVecDense(6, []float64{1, 2, 3, 4, 5, 6})
	fmt.Printf("%v\n", mat.Formatted(matcalc.Unvec(v, 2, 3)))
	// Output:
	// ⎡1  3  5⎤
	// ⎣2  4  6⎦
}

// The Kronecker product turns the linear map X -> AXB into a matrix acting on vec(X).
func ExampleKron() {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	fmt.Printf("%v\n\n", mat.Formatted(matcalc.Kron(a, matcalc.Identity(2))))

	// vec(AXB) = (Bᵀ ⊗ A) vec(X) for any A, X and B that can be multiplied.
	x := matcalc.Randn(3, 4, 1)
	b := matcalc.Randn(4, 2, 2)
	am := matcalc.Randn(5, 3, 3)
	var axb mat.Dense
	axb.Product(am, x, b)
	var kv mat.VecDense
	kv.MulVec(matcalc.Kron(b.T(), am), matcalc.Vec(x))
	fmt.Println("vec(AXB) = (Bᵀ ⊗ A) vec(X):", mat.EqualApprox(matcalc.Vec(&axb), &kv, 1e-12))
	// Output:
	// ⎡1  0  2  0⎤
	// ⎢0  1  0  2⎥
	// ⎢3  0  4  0⎥
	// ⎣0  3  0  4⎦
	//
	// vec(AXB) = (Bᵀ ⊗ A) vec(X): true
}

// The gradient of f(A) = tr(AᵀB) is B, because df = tr(dAᵀ B) = ⟨dA, B⟩.
func ExampleFrobeniusInner() {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	b := mat.NewDense(2, 2, []float64{5, 6, 7, 8})
	var atb mat.Dense
	atb.Mul(a.T(), b)
	fmt.Println("⟨A, B⟩ =", matcalc.FrobeniusInner(a, b))
	fmt.Println("tr(AᵀB) =", mat.Trace(&atb))
	fmt.Println("‖A‖²_F =", matcalc.FrobeniusInner(a, a))
	// Output:
	// ⟨A, B⟩ = 70
	// tr(AᵀB) = 70
	// ‖A‖²_F = 30
}

func ExampleIdentity() {
	id := matcalc.Identity(3)
	id.Set(0, 2, 5) // a new matrix each time, free to change
	fmt.Printf("%v\n", mat.Formatted(id))
	// Output:
	// ⎡1  0  5⎤
	// ⎢0  1  0⎥
	// ⎣0  0  1⎦
}

// The same seed gives the same matrix, on every machine and in every run.
func ExampleRandn() {
	a := matcalc.Randn(2, 3, 42)
	fmt.Printf("%.4f\n", mat.Formatted(a))
	fmt.Println(mat.Equal(a, matcalc.Randn(2, 3, 42)), mat.Equal(a, matcalc.Randn(2, 3, 43)))
	// Output:
	// ⎡-0.7441   1.1147   1.7249⎤
	// ⎣-0.7237   1.1590  -0.5923⎦
	// true false
}

func ExampleRand() {
	fmt.Printf("%.4f\n", mat.Formatted(matcalc.Rand(2, 2, 1)))
	// Output:
	// ⎡0.0626  0.0654⎤
	// ⎣0.4312  0.7203⎦
}

// A random direction for a directional derivative, and a vector drawn as Randn would.
func ExampleRandnVec() {
	v := matcalc.RandnVec(3, 42)
	fmt.Printf("%.4f\n", mat.Formatted(v.T()))
	fmt.Println(mat.Equal(v, matcalc.Vec(matcalc.Randn(3, 1, 42))))
	// Output:
	// [-0.7441  -0.7237   1.1147]
	// true
}

func ExampleSqrtm() {
	// [[2, 1], [1, 2]] has the eigenvalues 3 and 1, and its square root
	// ½[[√3 + 1, √3 − 1], [√3 − 1, √3 + 1]].
	a := mat.NewDense(2, 2, []float64{2, 1, 1, 2})
	x := matcalc.Sqrtm(a)
	fmt.Printf("%.6f\n\n", mat.Formatted(x))

	// A nonsymmetric, defective matrix.
	j := mat.NewDense(2, 2, []float64{1, 1, 0, 1})
	fmt.Printf("%.6f\n\n", mat.Formatted(matcalc.Sqrtm(j)))

	// X² = A for a random matrix with eigenvalues off the negative real axis.
	b := matcalc.Randn(5, 5, 1)
	for i := 0; i < 5; i++ {
		b.Set(i, i, b.At(i, i)+5)
	}
	var x2 mat.Dense
	sq := matcalc.Sqrtm(b)
	x2.Mul(sq, sq)
	fmt.Println("X² = A:", mat.EqualApprox(&x2, b, 1e-12))
	// Output:
	// ⎡1.366025  0.366025⎤
	// ⎣0.366025  1.366025⎦
	//
	// ⎡1.000000  0.500000⎤
	// ⎣0.000000  1.000000⎦
	//
	// X² = A: true
}

func ExampleLogm() {
	// log(I + N) = N for N² = 0.
	a := mat.NewDense(2, 2, []float64{1, 1, 0, 1})
	fmt.Printf("%.6f\n\n", mat.Formatted(matcalc.Logm(a)))

	// The logarithm of a rotation by t is t times the generator [[0, −1], [1, 0]].
	t := 2.0
	r := mat.NewDense(2, 2, []float64{math.Cos(t), -math.Sin(t), math.Sin(t), math.Cos(t)})
	l := matcalc.Logm(r)
	fmt.Printf("t = %.6f\n\n", l.At(1, 0))

	// Logm inverts Expm on matrices with eigenvalues of imaginary part in (−π, π).
	x := matcalc.Randn(4, 4, 7)
	x.Scale(0.5, x)
	fmt.Println("log exp X = X:", mat.EqualApprox(matcalc.Logm(matcalc.Expm(x)), x, 1e-12))
	// Output:
	// ⎡0.000000  1.000000⎤
	// ⎣0.000000  0.000000⎦
	//
	// t = 2.000000
	//
	// log exp X = X: true
}

func ExampleSinm() {
	// J = [[0, 1], [−1, 0]] squares to −I, so sin(tJ) = sinh(t) J.
	j := mat.NewDense(2, 2, []float64{0, 1, -1, 0})
	s := matcalc.Sinm(j)
	fmt.Printf("sin(J)[0, 1] = %.6f, sinh(1) = %.6f\n", s.At(0, 1), math.Sinh(1))

	// sin² A + cos² A = I for any square A.
	a := matcalc.Randn(4, 4, 3)
	s, c := matcalc.Sinm(a), matcalc.Cosm(a)
	var s2, c2, sum mat.Dense
	s2.Mul(s, s)
	c2.Mul(c, c)
	sum.Add(&s2, &c2)
	fmt.Println("sin² A + cos² A = I:", mat.EqualApprox(&sum, matcalc.Identity(4), 1e-12))
	// Output:
	// sin(J)[0, 1] = 1.175201, sinh(1) = 1.175201
	// sin² A + cos² A = I: true
}

func ExampleCosm() {
	// cos of a diagonal matrix is cos of its entries.
	fmt.Printf("%.6f\n\n", mat.Formatted(matcalc.Cosm(mat.NewDiagDense(2, []float64{math.Pi / 3, math.Pi}))))

	// J = [[0, 1], [−1, 0]] squares to −I, so cos(tJ) = cosh(t) I.
	j := mat.NewDense(2, 2, []float64{0, 2, -2, 0})
	c := matcalc.Cosm(j)
	fmt.Printf("cos(2J)[0, 0] = %.6f, cosh(2) = %.6f\n", c.At(0, 0), math.Cosh(2))
	// Output:
	// ⎡ 0.500000   0.000000⎤
	// ⎣ 0.000000  -1.000000⎦
	//
	// cos(2J)[0, 0] = 3.762196, cosh(2) = 3.762196
}

func ExampleExpm() {
	// exp of a Jordan block: exp([[1, 1], [0, 1]]) = e [[1, 1], [0, 1]].
	j := mat.NewDense(2, 2, []float64{1, 1, 0, 1})
	fmt.Printf("%.6f\n\n", mat.Formatted(matcalc.Expm(j)))

	// exp(A) exp(−A) = I.
	a := matcalc.Randn(3, 3, 5)
	var minus, p mat.Dense
	minus.Scale(-1, a)
	p.Mul(matcalc.Expm(a), matcalc.Expm(&minus))
	fmt.Println("exp(A) exp(−A) = I:", mat.EqualApprox(&p, matcalc.Identity(3), 1e-12))
	// Output:
	// ⎡2.718282  2.718282⎤
	// ⎣0.000000  2.718282⎦
	//
	// exp(A) exp(−A) = I: true
}
